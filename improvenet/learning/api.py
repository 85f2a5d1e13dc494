from ninja import Router

router = Router(tags=["Learning across the network"])
