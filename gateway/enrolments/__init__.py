"""Aanmeldingen: a receiving school registers a pupil, which opens the overdracht."""
