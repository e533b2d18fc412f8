"""Data-subject rights: recording a refusal or restriction of a request, with its ground."""
