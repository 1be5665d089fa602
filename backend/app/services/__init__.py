"""Use cases: each opens one explicit transaction and calls domain/ for the rules."""
