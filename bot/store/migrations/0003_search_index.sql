-- 0003: the search index. Exact lookups use the key indexes of 0001; these tables add typo
-- tolerance without ever scanning every title: a spelling index over the words of titles
-- (symmetric delete: each word is stored with every one-character deletion of it, so a
-- misspelt word finds its dictionary word by a few indexed lookups) and, for people, their
-- name keys reversed so a surname (`de niro`, `deniro`) is an indexed prefix lookup.
-- Everything here is derived: bot.store.search_index.rebuild() recreates it from films and people.

-- Every word of every film title and alias (their bare keys), with how many titles use it.
CREATE TABLE search_words (
    id        INTEGER PRIMARY KEY,
    word      TEXT    NOT NULL UNIQUE,
    reversed  TEXT    NOT NULL,          -- the word backwards: words ending alike, as a range
    films     INTEGER NOT NULL           -- titles using the word at the last rebuild: a prior
);
CREATE INDEX search_words_reversed ON search_words (reversed);

-- Each word with one character deleted ("heat" -> "eat", "hat", "het", "hea"). The word and
-- its count are repeated here so a lookup reads one contiguous run of the index, no more.
CREATE TABLE search_word_deletes (
    variant  TEXT    NOT NULL,
    word     TEXT    NOT NULL,
    films    INTEGER NOT NULL,
    PRIMARY KEY (variant, word)
) WITHOUT ROWID;

-- Words of 3 to 5 letters with two characters deleted ("heist" -> "ist", "hst", ...): with
-- these, two typos in a short word are found as surely as one.
CREATE TABLE search_short_word_deletes (
    variant  TEXT    NOT NULL,
    word     TEXT    NOT NULL,
    films    INTEGER NOT NULL,
    PRIMARY KEY (variant, word)
) WITHOUT ROWID;

-- people.name_key reversed ("robertdeniro" -> "orinedtrebor"): names ending in a surname form
-- one index range. Only the best-known people are here (see search_index.PEOPLE_INDEXED); an
-- exact full name finds everyone through people_name_key.
CREATE TABLE search_name_suffixes (
    reversed_key  TEXT    NOT NULL,
    person_id     INTEGER NOT NULL,      -- people.id
    PRIMARY KEY (reversed_key, person_id)
) WITHOUT ROWID;
