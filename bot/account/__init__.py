"""Who a user is here, and the data kept about them."""
