class RegistrationError(Exception):
    """A rule of the registration was broken; the message is fit to show to a person."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
