"""Teams and people of Nordhem, a Nordic home-and-fashion retailer with web shop, app and club."""

PASSWORD = "growthlab-demo"

TEAMS = [
    {
        "name": "Web Growth",
        "mission": (
            "Turn more visits to nordhem.com into confident first and repeat orders in Sweden, "
            "Norway, Denmark and Finland, without buying growth with returns or discounts. "
            "The pilot growth team: it set up the 3-week sprint cadence the others now follow."
        ),
        "scoring_model": "ice",
        "north_star": "Web revenue per visitor",
        "active_sprint_started_days_ago": 9,
    },
    {
        "name": "CRM & Loyalty",
        "mission": (
            "Grow the share of Nordhem Club members who keep buying, through e-mail, offers and "
            "the points programme, while protecting the right to reach them: every unsubscribe "
            "is a customer we can no longer talk to."
        ),
        "scoring_model": "rice",
        "north_star": "Active member rate",
        "active_sprint_started_days_ago": 6,
    },
    {
        "name": "App Growth",
        "mission": (
            "Make the Nordhem app the easiest way for our best customers to shop, weekly: "
            "activation of new installs, habits that last, and push that people keep switched on."
        ),
        "scoring_model": "ice",
        "north_star": "Weekly app buyer rate",
        "active_sprint_started_days_ago": 12,
    },
]

# username, first name, last name, team, role. The first five are the documented sign-ins.
PEOPLE = [
    ("lead.lina", "Lina", "Berg", "Web Growth", "team_lead"),
    ("marketer.max", "Max", "Lindqvist", "Web Growth", "marketer"),
    ("analyst.ava", "Ava", "Nyström", "Web Growth", "analyst"),
    ("viewer.vic", "Victor", "Holm", "Web Growth", "viewer"),
    ("admin.ada", "Ada", "Sundberg", "Web Growth", "admin"),
    ("oskar.dahl", "Oskar", "Dahl", "Web Growth", "marketer"),
    ("sara.ekstrom", "Sara", "Ekström", "CRM & Loyalty", "team_lead"),
    ("johan.lundgren", "Johan", "Lundgren", "CRM & Loyalty", "marketer"),
    ("mette.sorensen", "Mette", "Sørensen", "CRM & Loyalty", "marketer"),
    ("emil.virtanen", "Emil", "Virtanen", "CRM & Loyalty", "analyst"),
    ("ingrid.haugen", "Ingrid", "Haugen", "App Growth", "team_lead"),
    ("ali.hassan", "Ali", "Hassan", "App Growth", "marketer"),
    ("noor.karimi", "Noor", "Karimi", "App Growth", "analyst"),
    ("pekka.maki", "Pekka", "Mäki", "App Growth", "viewer"),
    ("markkinoija.mia", "Mia", "Korhonen", "Web Growth", "marketer"),
    ("marknad.maja", "Maja", "Lindberg", "Web Growth", "marketer"),
    ("marketeer.daan", "Daan", "de Vries", "Web Growth", "marketer"),
]
# The demo reads in English; these people read it in their own language.
LANGUAGE_OF = {"markkinoija.mia": "fi", "marknad.maja": "sv", "marketeer.daan": "nl"}

# Django admin access for the admin role's demo sign-in.
SUPERUSERS = {"admin.ada"}

EMAIL_DOMAIN = "nordhem.example"
