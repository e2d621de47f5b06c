def navigation(request):
    from .navigation import SHOP, SIDEBAR

    return {"SIDEBAR": SIDEBAR, "SHOP_ENTRY": SHOP}
