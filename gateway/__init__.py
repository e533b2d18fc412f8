"""The passend-onderwijs exchange gateway: the HTTP service and its capabilities."""
