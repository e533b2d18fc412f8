"""The parents' portal: server-rendered pages in Dutch under /portaal."""
