"""/api/v1 for programs: the routes, their wire format (strict Pydantic models) and the
interactive documentation, over the same services as the pages."""
