from ninja import Router

router = Router(tags=["Partnership health"])
