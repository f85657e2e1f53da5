"""The metric catalogue as a KPI tree: a North Star per team, two levels below it.

Parents come before their children, so the list loads top-down in one pass.
"""


def metric(name, kind, unit, parent, team, owner, baseline, sd=None, good="increase", **more):
    return {
        "name": name,
        "kind": kind,
        "unit": unit,
        "parent": parent,
        "team": team,
        "owner": owner,
        "baseline_value": baseline,
        "baseline_sd": sd,
        "good_direction": good,
        "description": more.get("description", ""),
        "definition": more.get("definition", ""),
    }


WEB = "Web Growth"
CRM = "CRM & Loyalty"
APP = "App Growth"

# fmt: off
METRICS = [
    metric(
        "Customer lifetime value (12 months)", "mean", "SEK", None, None, "analyst.ava", 2350,
        4100, description="Gross margin a customer brings in the 12 months after exposure. "
        "The organisation-wide guardrail against short-term wins.",
        definition="sum(order_margin) per customer_id over 365 days after first exposure",
    ),
    metric(
        "Web revenue per visitor", "mean", "SEK", None, WEB, "lead.lina", 41.5, 190,
        description="North Star of Web Growth: net revenue (after returns) per unique visitor.",
        definition="sum(net_revenue) / count(distinct visitor_id), 14-day window",
    ),
    metric(
        "Order conversion", "binomial", "%", "Web revenue per visitor", WEB, "analyst.ava",
        0.031, description="Share of visitors who place at least one order.",
        definition="visitor has an order within the test window",
    ),
    metric(
        "Add-to-cart rate", "binomial", "%", "Order conversion", WEB, "marketer.max", 0.092,
        description="Share of product-page visitors who add something to the cart.",
        definition="visitor fires add_to_cart at least once",
    ),
    metric(
        "Checkout completion", "binomial", "%", "Order conversion", WEB, "oskar.dahl", 0.54,
        description="Share of checkout starts that end in a placed order.",
        definition="checkout_started sessions that reach order_confirmed",
    ),
    metric(
        "Average order value", "ratio", "SEK", "Web revenue per visitor", WEB, "analyst.ava",
        612, 420, description="Revenue per order, before returns.",
        definition="sum(order_revenue) / count(orders)",
    ),
    metric(
        "Items per order", "ratio", "items", "Average order value", WEB, "marketer.max", 2.4,
        1.9, description="Units per order; moves average order value without moving price.",
        definition="sum(order_units) / count(orders)",
    ),
    metric(
        "Product return rate", "binomial", "%", "Web revenue per visitor", WEB, "analyst.ava",
        0.18, good="decrease", description="Share of orders with at least one item sent back. "
        "Guardrail: a win that fills carts with returns is not a win.",
        definition="order has a return registered within 30 days",
    ),
    metric(
        "Active member rate", "binomial", "%", None, CRM, "sara.ekstrom", 0.31,
        description="North Star of CRM & Loyalty: share of Nordhem Club members who bought "
        "anything, in any channel, in the last 90 days.",
        definition="member has an order in the 90 days up to the measurement date",
    ),
    metric(
        "Repeat purchase rate", "binomial", "%", "Active member rate", CRM, "emil.virtanen",
        0.24, description="Share of members who order again within 30 days of exposure.",
        definition="member places an order within 30 days after exposure",
    ),
    metric(
        "Offer redemption rate", "binomial", "%", "Repeat purchase rate", CRM,
        "mette.sorensen", 0.062, description="Share of members who redeem the offer they got.",
        definition="voucher code redeemed at checkout or in store",
    ),
    metric(
        "E-mail click-through rate", "binomial", "%", "Active member rate", CRM,
        "johan.lundgren", 0.029, description="Share of delivered e-mails with a click.",
        definition="recipient clicks any tracked link within 7 days of the send",
    ),
    metric(
        "E-mail open rate", "binomial", "%", "E-mail click-through rate", CRM,
        "johan.lundgren", 0.38, description="Share of delivered e-mails opened. Inflated by "
        "mail privacy features, so read it as a trend, never as a primary metric.",
        definition="recipient opens within 7 days of the send",
    ),
    metric(
        "Unsubscribe rate", "binomial", "%", "E-mail click-through rate", CRM,
        "emil.virtanen", 0.0024, good="decrease",
        description="Share of recipients who unsubscribe. Guardrail on every e-mail test.",
        definition="recipient unsubscribes within 7 days of the send",
    ),
    metric(
        "Revenue per member", "mean", "SEK", "Active member rate", CRM, "emil.virtanen", 118,
        420, description="Net revenue per club member in the 30 days after exposure.",
        definition="sum(net_revenue) per member_id, 30 days",
    ),
    metric(
        "Weekly app buyer rate", "binomial", "%", None, APP, "ingrid.haugen", 0.052,
        description="North Star of App Growth: share of weekly active app users who order "
        "in the app that week.",
        definition="app user with an app order in the ISO week",
    ),
    metric(
        "App order conversion", "binomial", "%", "Weekly app buyer rate", APP, "noor.karimi",
        0.041, description="Share of app users who order during the test window.",
        definition="app user places an order in the app within the test window",
    ),
    metric(
        "Day-30 app retention", "binomial", "%", "Weekly app buyer rate", APP, "noor.karimi",
        0.27, description="Share of new installs still opening the app on day 30.",
        definition="app_open between day 28 and day 32 after install",
    ),
    metric(
        "Push opt-in rate", "binomial", "%", "Day-30 app retention", APP, "ali.hassan", 0.48,
        description="Share of new installs that allow push notifications.",
        definition="push permission granted within 7 days of install",
    ),
    metric(
        "App uninstall rate", "binomial", "%", "Day-30 app retention", APP, "noor.karimi",
        0.014, good="decrease", description="Share of users who uninstall within 14 days. "
        "Guardrail on push and onboarding tests.",
        definition="uninstall event within 14 days of exposure",
    ),
    metric(
        "App revenue per user", "mean", "SEK", "Weekly app buyer rate", APP, "noor.karimi", 54,
        250, description="Net app revenue per app user in the test window.",
        definition="sum(net_revenue where channel = 'app') per app_user_id",
    ),
]
# fmt: on
