-- 0004: what review cards, genre lists and picks read without scanning the catalog.

-- A cached summary remembers the summariser that made it (bot.summaries.ALGORITHM_VERSION): a
-- new version recomputes old summaries instead of serving them. A summary being computed is
-- first claimed (``claim`` set, text empty) and stored only while its claim is still there: the
-- triggers of 0001 delete the row when a review changes meanwhile, so a summary of reviews that
-- changed under it is never cached.
ALTER TABLE summaries ADD COLUMN algorithm_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE summaries ADD COLUMN claim INTEGER;

-- Candidate pools: the best-known films of each genre (counting every genre below it in the
-- taxonomy) and decade, so genre lists and picks read one index range instead of sorting the
-- catalog. genre_id 0 is every film, decade 0 every year. A pool keeps the films with the
-- highest popularity (bot.store.pools.POOL_SIZE of them at a rebuild; single films added later
-- join their pools without pushing anyone out).
-- Derived data: bot.store.pools.rebuild() recreates it from films, film_genres and genre_parents
-- (importers run it with the search index), and pool_film/unpool_film keep it for one film.
CREATE TABLE film_pool (
    genre_id    INTEGER NOT NULL,
    decade      INTEGER NOT NULL,
    popularity  REAL    NOT NULL,
    film_id     INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    PRIMARY KEY (genre_id, decade, popularity DESC, film_id)
) WITHOUT ROWID;
CREATE INDEX film_pool_film ON film_pool (film_id);

-- How many films each pool's genre and decade hold in all (not only the pooled ones): the
-- `genres` command's counts. A row (0, 0) records that the pools were built.
CREATE TABLE pool_sizes (
    genre_id  INTEGER NOT NULL,
    decade    INTEGER NOT NULL,
    films     INTEGER NOT NULL,
    PRIMARY KEY (genre_id, decade)
) WITHOUT ROWID;

-- This server's best-rated films in an order an index can give: the Bayesian average with a
-- fixed prior (m = 3, C = 7). Picks and genre lists read the first few hundred in this order and
-- rank those exactly with the server's own m and C, instead of ranking every rated film.
CREATE INDEX film_stats_rank ON film_stats (guild_id, (total + 21.0) / (n + 3) DESC);
