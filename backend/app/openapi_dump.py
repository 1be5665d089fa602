"""Print the API's OpenAPI schema, the source of the console's generated client types."""

import json

from app.main import create_app


def main() -> None:
    print(json.dumps(create_app().openapi(), indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
