"""Learning across the network: evidence per change idea, spread and scale."""
