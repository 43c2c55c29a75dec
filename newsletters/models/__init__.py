from .pages import NewsletterIndexPage, RoundupPage
from .subscriptions import Delivery, Subscription

__all__ = ["Delivery", "NewsletterIndexPage", "RoundupPage", "Subscription"]
