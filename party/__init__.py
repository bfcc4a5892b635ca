"""Party organisation work: units and their posts, members and their path into the Party."""
