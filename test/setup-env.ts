// CI runs the tests with CI=true, and Ink then prints only its last frame. The tests check what a user
// at a terminal sees, so the UI must behave as it does there; child processes get no CI either.
delete process.env.CI;
