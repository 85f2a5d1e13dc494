from ninja import Router

router = Router(tags=["Search"])
