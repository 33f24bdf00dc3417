-- 0002: where films came from, and the countries the catalog names.

-- An outside source's id for a film (MovieLens movieId, a Letterboxd URI): re-imports and
-- tests map the source's rows to films through it. One source id names one film; a film may
-- have several ids of one source (MovieLens lists a few films twice).
CREATE TABLE film_sources (
    source       TEXT    NOT NULL,             -- 'movielens', 'letterboxd' …
    external_id  TEXT    NOT NULL,
    film_id      INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    PRIMARY KEY (source, external_id)
) WITHOUT ROWID;
CREATE INDEX film_sources_film ON film_sources (film_id);

-- Production countries, in the order the catalog lists them (rowid order).
CREATE TABLE film_countries (
    film_id  INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    country  TEXT    NOT NULL,
    UNIQUE (film_id, country)
);
