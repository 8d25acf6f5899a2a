-- Q2 (the book, ch. 6), with its errata fixed: the stream is COMPLETED_BIKE_RIDES and the column
-- STATIONID (the book prints "COMPLETED_BIKE RIDES" and STATION_ID). DECIMAL(4,2) still overflows for
-- sums of 100 or more: those rows go to error_stream.
CREATE OR REPLACE STREAM completed_bike_rides (stationId INTEGER, tripDuration BIGINT, price REAL);
CREATE OR REPLACE PUMP completed_rides_pump AS INSERT INTO completed_bike_rides
SELECT STREAM "stationId", "tripDuration", "price"
FROM source_sql_stream_001
WHERE "action" LIKE 'DOCKED' AND "tripDuration" > 0 AND "price" > 0;
CREATE OR REPLACE STREAM price_stats (stationId INTEGER, min_price DECIMAL(4,2), max_price DECIMAL(4,2),
    avg_price DECIMAL(4,2), earnings DECIMAL(4,2));
CREATE OR REPLACE PUMP price_stats_pump AS INSERT INTO price_stats
SELECT STREAM STATIONID,
    CAST(MIN(PRICE) OVER WIN AS DECIMAL(4,2)) AS MIN_PRICE,
    CAST(MAX(PRICE) OVER WIN AS DECIMAL(4,2)) AS MAX_PRICE,
    CAST(AVG(PRICE) OVER WIN AS DECIMAL(4,2)) AS AVG_PRICE,
    CAST(SUM(PRICE) OVER WIN AS DECIMAL(4,2)) AS EARNINGS
FROM COMPLETED_BIKE_RIDES
WINDOW WIN AS (PARTITION BY STATIONID RANGE INTERVAL '5' MINUTE PRECEDING);
