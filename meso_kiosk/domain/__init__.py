"""Pure clinical model: dataclasses, validation and calculations. No Qt, no SQL."""
