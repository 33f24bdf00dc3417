-- 0005: the search dictionary's prefix and suffix lookups read only its indexes. Finding the
-- words that start or end like a badly misspelt one reads a few hundred index entries; with
-- the word count in the index too, none of them costs a visit to the table.
DROP INDEX search_words_reversed;
CREATE INDEX search_words_by_word ON search_words (word, films);
CREATE INDEX search_words_by_reversed ON search_words (reversed, word, films);
