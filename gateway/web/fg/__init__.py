"""The privacy officer's (FG's) workplace in the portal, under /portaal/fg."""
