"""Chinese number formats, overriding only what differs from Django's zh_Hans.

Django groups Chinese numbers by nothing (2500); the portal's money (¥12,345.00) and its
findings (2,500 户) group by thousands with a comma, as Chinese accounts and tables do, so
``intcomma`` counts read the same way on every page.
"""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
