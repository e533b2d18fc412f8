"""HTTP for the consent registry (`consent/`) and for registering gezag."""
