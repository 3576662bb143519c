"""The book's helpers: its figures (:mod:`.plots`) and the student edition of its notebooks
(:mod:`.student`)."""
