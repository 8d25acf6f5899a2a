-- Q4 (the book, ch. 6): rentals per station and event minute in stagger windows, so a late rental still
-- joins its minute if it arrives within a minute of that minute's first row.
CREATE OR REPLACE STREAM STAGGER_RENTALS (STATIONID INTEGER, RENTAL_MINUTE TIMESTAMP, RENTALS BIGINT);
CREATE OR REPLACE PUMP STAGGER_PUMP AS INSERT INTO STAGGER_RENTALS
SELECT STREAM "stationId", FLOOR("eventUTCTime" TO MINUTE), COUNT("stationId")
FROM SOURCE_SQL_STREAM_001
WHERE "action" = 'RENTED'
WINDOWED BY STAGGER (PARTITION BY FLOOR("eventUTCTime" TO MINUTE), "stationId" RANGE INTERVAL '1' MINUTE);
