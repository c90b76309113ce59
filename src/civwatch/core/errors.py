class UserError(Exception):
    """A failure caused by what the user gave us (bad file, suspect data): shown as it is.

    Command-line commands turn it into a clean error and a non-zero exit, background jobs
    into a failed job with this message, web views into a form error.
    """
