"""The standing panel: members by constituency, proposals, votes, decisions and the research agenda."""
