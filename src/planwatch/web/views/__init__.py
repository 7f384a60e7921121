"""The pages for people, one module a feature: its router, its forms and what its pages show.

Each handler asks the services (with the acting user, who is checked there) and renders a
template; none queries the ORM (ARCHITECTURE.md, "Web"). ``planwatch.web.app`` includes
every module's ``router``.
"""
