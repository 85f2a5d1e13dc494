"""Community engagement and school selection: engagement events, objections and the school-selection decision."""
