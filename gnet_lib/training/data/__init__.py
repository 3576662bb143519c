"""The images: CIFAR-10 (or a synthetic stand-in) loaded, checked and split; the batch streams a
recipe makes of them; JPEG re-encodings of the mirror. Imports the settings only."""
