"""Charts as inline SVG built on the server (no CDN, no JavaScript, prints as is), shared by
learning/ reports and party/ statistics. Imports nothing of the project (tests/charts)."""
