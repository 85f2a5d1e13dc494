"""Evidence across sites: pooling effect estimates about a change idea, an innovation or a product.

`meta` holds the estimators (pure: no Django); docs/synthesis.md gives every formula with its source.
"""
