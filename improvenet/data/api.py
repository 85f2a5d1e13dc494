from ninja import Router

router = Router(tags=["Longitudinal data"])
