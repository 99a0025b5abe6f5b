-- Sign-in failures of a name no account has are counted from the login log, so that an unknown
-- account is "locked" after as many failures as a real one and lockout does not reveal which
-- accounts exist.
CREATE INDEX login_log_user_at ON login_log(username, at);
