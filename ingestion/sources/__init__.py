"""One package per source; each turns files or API answers into the loader's record stream."""
