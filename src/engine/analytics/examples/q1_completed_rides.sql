-- Q1 (the book, ch. 6): completed rides only.
CREATE OR REPLACE STREAM completed_bike_rides (stationId INTEGER, tripDuration BIGINT, price REAL);
CREATE OR REPLACE PUMP completed_rides_pump AS INSERT INTO completed_bike_rides
SELECT STREAM "stationId", "tripDuration", "price"
FROM source_sql_stream_001
WHERE "action" LIKE 'DOCKED' AND "tripDuration" > 0 AND "price" > 0;
