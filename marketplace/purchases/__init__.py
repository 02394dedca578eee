"""政府购买服务: purchase projects whose provider carries out assigned service needs, counted against them."""
