/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfkeyctl: tokens of the setkey grammar.
 */
#ifndef PFKEYCTL_LEXER_H
#define PFKEYCTL_LEXER_H

#include <stdbool.h>
#include <stdio.h>

enum pfk_tok_type {
	TOK_EOF,
	TOK_SEMI,	/* ; */
	TOK_WORD,	/* anything else up to blank, ';', '"' or '#' */
	TOK_NUMBER,	/* decimal digits only */
	TOK_HEX,	/* 0x then hex digits only (numbers and keys) */
	TOK_STRING,	/* "..." with \" and \\ escapes, quotes removed */
	TOK_ERROR,	/* err says what is wrong, text what was read */
};

struct pfk_token {
	enum pfk_tok_type type;
	char *text;			/* NUL-terminated, owned by the lexer */
	size_t len;
	size_t cap;
	unsigned long long num;		/* TOK_NUMBER, TOK_HEX */
	bool num_ok;			/* num holds the value (no overflow) */
	const char *err;		/* TOK_ERROR */
	unsigned int line;
	unsigned int col;
};

struct pfk_lexer {
	FILE *fp;
	const char *file;
	const char *prompt;	/* printed to stderr at each line start */
	unsigned int line;
	unsigned int col;
	int back;		/* one pushed-back character, or -2 */
	bool bol;
	bool have_ahead;
	struct pfk_token tok[2];
	int cur;		/* index of the token last taken */
};

void pfk_lex_init(struct pfk_lexer *lx, FILE *fp, const char *file);
void pfk_lex_free(struct pfk_lexer *lx);
/* the next token, not consumed */
const struct pfk_token *pfk_lex_peek(struct pfk_lexer *lx);
/* the next token, consumed; valid until the next call */
const struct pfk_token *pfk_lex_take(struct pfk_lexer *lx);
/* how a token is named in messages: its text, ';', end of input */
const char *pfk_tok_show(const struct pfk_token *t);
bool pfk_tok_is(const struct pfk_token *t, const char *word);

#endif /* PFKEYCTL_LEXER_H */
