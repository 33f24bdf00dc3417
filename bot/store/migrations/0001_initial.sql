-- 0001: the film catalog, members' ratings and reviews, cached summaries, per-server settings.
-- Ids are INTEGER PRIMARY KEYs, Discord snowflakes are INTEGER, times are unix seconds.

CREATE TABLE films (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL,
    title_key   TEXT    NOT NULL,              -- bot.normalize.title_key(title)
    bare_key    TEXT    NOT NULL,              -- bot.normalize.bare_key(title)
    year        INTEGER CHECK (year BETWEEN 1870 AND 2100),
    runtime     INTEGER CHECK (runtime > 0),   -- minutes
    imdb_id     INTEGER UNIQUE,                -- tt0113277 is 113277
    kind        TEXT    NOT NULL DEFAULT 'movie',
    popularity  REAL    NOT NULL DEFAULT 0     -- prior for ties and picks: votes/ratings seen by importers
);
CREATE INDEX films_title_key ON films (title_key, popularity DESC);
CREATE INDEX films_bare_key ON films (bare_key, popularity DESC);
CREATE INDEX films_popularity ON films (popularity DESC);

-- Other names a film goes by (original titles, "Se7en"/"Seven"); the primary title is not repeated.
CREATE TABLE film_aliases (
    film_id    INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    title      TEXT    NOT NULL,
    title_key  TEXT    NOT NULL,
    bare_key   TEXT    NOT NULL,
    PRIMARY KEY (film_id, title_key)
) WITHOUT ROWID;
CREATE INDEX film_aliases_title_key ON film_aliases (title_key);
CREATE INDEX film_aliases_bare_key ON film_aliases (bare_key);

CREATE TABLE genres (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL,
    key   TEXT NOT NULL UNIQUE                -- bot.normalize.fold(name)
);

-- The taxonomy: Neo-Noir -> Crime, Film-Noir. A lookup of a parent includes its descendants.
CREATE TABLE genre_parents (
    genre_id   INTEGER NOT NULL REFERENCES genres (id) ON DELETE CASCADE,
    parent_id  INTEGER NOT NULL REFERENCES genres (id) ON DELETE CASCADE,
    PRIMARY KEY (genre_id, parent_id),
    CHECK (genre_id <> parent_id)
) WITHOUT ROWID;
CREATE INDEX genre_parents_parent ON genre_parents (parent_id, genre_id);

-- Loose names members type: "sci-fi", "scifi" -> Science Fiction.
CREATE TABLE genre_aliases (
    alias_key  TEXT    PRIMARY KEY,
    genre_id   INTEGER NOT NULL REFERENCES genres (id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE film_genres (
    film_id   INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    genre_id  INTEGER NOT NULL REFERENCES genres (id) ON DELETE CASCADE,
    PRIMARY KEY (film_id, genre_id)
) WITHOUT ROWID;
CREATE INDEX film_genres_genre ON film_genres (genre_id, film_id);

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL,             -- bot.normalize.name_key(name)
    imdb_id     INTEGER UNIQUE,               -- nm0000134 is 134
    birth_year  INTEGER,
    death_year  INTEGER,
    popularity  REAL    NOT NULL DEFAULT 0
);
CREATE INDEX people_name_key ON people (name_key, popularity DESC);

CREATE TABLE credits (
    film_id    INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL CHECK (role IN ('actor', 'director', 'writer', 'producer',
                                                'composer', 'cinematographer', 'editor', 'other')),
    character  TEXT,
    billing    INTEGER,                       -- 1 is top billed; NULL when unknown
    PRIMARY KEY (film_id, role, person_id)
) WITHOUT ROWID;
CREATE INDEX credits_person ON credits (person_id, film_id);

-- Catalog review documents have no server; members' reviews belong to one server.
CREATE TABLE reviews (
    id           INTEGER PRIMARY KEY,
    film_id      INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    guild_id     INTEGER,
    author_id    INTEGER,
    author_name  TEXT,
    source       TEXT,                        -- a document's Source: or file name: its identity on re-import
    body         TEXT    NOT NULL,
    spoiler      INTEGER NOT NULL DEFAULT 0 CHECK (spoiler IN (0, 1)),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    CHECK ((guild_id IS NULL) = (author_id IS NULL))
);
CREATE UNIQUE INDEX reviews_one_per_member ON reviews (guild_id, film_id, author_id)
    WHERE guild_id IS NOT NULL;
CREATE UNIQUE INDEX reviews_catalog_source ON reviews (film_id, source) WHERE guild_id IS NULL;
CREATE INDEX reviews_film ON reviews (film_id, guild_id, updated_at DESC);

CREATE TABLE ratings (
    guild_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    film_id    INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    score      REAL    NOT NULL CHECK (score BETWEEN 1 AND 10 AND score * 2 = CAST(score * 2 AS INTEGER)),
    rated_at   INTEGER NOT NULL,
    PRIMARY KEY (guild_id, member_id, film_id)
) WITHOUT ROWID;
CREATE INDEX ratings_film ON ratings (guild_id, film_id, score);

-- Running totals per server and film, kept by the triggers below so averages, leaderboards
-- and picks never scan every rating.
CREATE TABLE film_stats (
    guild_id  INTEGER NOT NULL,
    film_id   INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    n         INTEGER NOT NULL,
    total     REAL    NOT NULL,
    PRIMARY KEY (guild_id, film_id)
) WITHOUT ROWID;

CREATE TABLE guild_stats (
    guild_id  INTEGER PRIMARY KEY,
    n         INTEGER NOT NULL,
    total     REAL    NOT NULL
);

CREATE TRIGGER ratings_count_insert AFTER INSERT ON ratings BEGIN
    INSERT INTO film_stats (guild_id, film_id, n, total) VALUES (NEW.guild_id, NEW.film_id, 1, NEW.score)
        ON CONFLICT (guild_id, film_id) DO UPDATE SET n = n + 1, total = total + excluded.total;
    INSERT INTO guild_stats (guild_id, n, total) VALUES (NEW.guild_id, 1, NEW.score)
        ON CONFLICT (guild_id) DO UPDATE SET n = n + 1, total = total + excluded.total;
END;

-- A rating's keys never change; only its score does.
CREATE TRIGGER ratings_count_update AFTER UPDATE OF score ON ratings BEGIN
    UPDATE film_stats SET total = total - OLD.score + NEW.score
        WHERE guild_id = NEW.guild_id AND film_id = NEW.film_id;
    UPDATE guild_stats SET total = total - OLD.score + NEW.score WHERE guild_id = NEW.guild_id;
END;

CREATE TRIGGER ratings_count_delete AFTER DELETE ON ratings BEGIN
    UPDATE film_stats SET n = n - 1, total = total - OLD.score
        WHERE guild_id = OLD.guild_id AND film_id = OLD.film_id;
    DELETE FROM film_stats WHERE guild_id = OLD.guild_id AND film_id = OLD.film_id AND n = 0;
    UPDATE guild_stats SET n = n - 1, total = total - OLD.score WHERE guild_id = OLD.guild_id;
    DELETE FROM guild_stats WHERE guild_id = OLD.guild_id AND n = 0;
END;

-- Cached review summaries: guild_id 0 holds the catalog-only summary.
CREATE TABLE summaries (
    film_id      INTEGER NOT NULL REFERENCES films (id) ON DELETE CASCADE,
    guild_id     INTEGER NOT NULL,
    summary      TEXT    NOT NULL,
    computed_at  INTEGER NOT NULL,
    PRIMARY KEY (film_id, guild_id)
) WITHOUT ROWID;

-- When a film's reviews change its cached summaries go: every server's for a catalog document,
-- only that server's for a member's review.
CREATE TRIGGER reviews_stale_on_insert AFTER INSERT ON reviews BEGIN
    DELETE FROM summaries WHERE film_id = NEW.film_id
        AND (NEW.guild_id IS NULL OR guild_id = NEW.guild_id);
END;
CREATE TRIGGER reviews_stale_on_update AFTER UPDATE ON reviews BEGIN
    DELETE FROM summaries WHERE film_id IN (OLD.film_id, NEW.film_id)
        AND (NEW.guild_id IS NULL OR OLD.guild_id IS NULL OR guild_id IN (OLD.guild_id, NEW.guild_id));
END;
CREATE TRIGGER reviews_stale_on_delete AFTER DELETE ON reviews BEGIN
    DELETE FROM summaries WHERE film_id = OLD.film_id
        AND (OLD.guild_id IS NULL OR guild_id = OLD.guild_id);
END;

CREATE TABLE guild_settings (
    guild_id       INTEGER PRIMARY KEY,
    prefix         TEXT    CHECK (prefix IS NULL OR length(prefix) BETWEEN 1 AND 5),
    bayes_m        REAL    NOT NULL DEFAULT 3 CHECK (bayes_m >= 0),
    cooldown_rate  INTEGER CHECK (cooldown_rate IS NULL OR cooldown_rate > 0),
    cooldown_per   REAL    CHECK (cooldown_per IS NULL OR cooldown_per > 0),
    updated_at     INTEGER NOT NULL
);
