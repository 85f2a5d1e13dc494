"""In-app notifications of what happens in a person's clusters, and their optional weekly e-mail digest."""
