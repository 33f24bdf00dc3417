-- 0006: a member's favourites as one index range: picks read what the asker and the members who
-- share their taste rated 8 or more without reading the rest of their ratings.
CREATE INDEX ratings_member_score ON ratings (guild_id, member_id, score);
