// SPDX-License-Identifier: GPL-2.0
/*
 * pfkeyctl: the setkey lexer. Input comes from a FILE (a file, stdin, or
 * the command line through fmemopen()), one character at a time, so that
 * interactive use works line by line. '#' starts a comment up to the end
 * of the line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"

void pfk_lex_init(struct pfk_lexer *lx, FILE *fp, const char *file)
{
	memset(lx, 0, sizeof(*lx));
	lx->fp = fp;
	lx->file = file;
	lx->line = 1;
	lx->col = 0;
	lx->back = -2;
	lx->bol = true;
}

void pfk_lex_free(struct pfk_lexer *lx)
{
	free(lx->tok[0].text);
	free(lx->tok[1].text);
	lx->tok[0].text = NULL;
	lx->tok[1].text = NULL;
}

static int lex_getc(struct pfk_lexer *lx)
{
	int c;

	if (lx->back != -2) {
		c = lx->back;
		lx->back = -2;
	} else {
		if (lx->bol && lx->prompt) {
			fputs(lx->prompt, stderr);
			fflush(stderr);
		}
		c = getc(lx->fp);
	}
	lx->bol = false;
	if (c == '\n') {
		lx->line++;
		lx->col = 0;
		lx->bol = true;
	} else if (c != EOF) {
		lx->col++;
	}
	return c;
}

/* only ever called with the character just read, never a newline */
static void lex_ungetc(struct pfk_lexer *lx, int c)
{
	lx->back = c;
	lx->col--;
}

static void tok_put(struct pfk_token *t, int c)
{
	if (t->len + 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char *p = realloc(t->text, cap);

		if (!p) {
			perror("pfkeyctl");
			exit(2);
		}
		t->text = p;
		t->cap = cap;
	}
	t->text[t->len++] = (char)c;
	t->text[t->len] = '\0';
}

static bool is_word_char(int c)
{
	return c != EOF && !isspace(c) && c != ';' && c != '"' && c != '#';
}

static void classify(struct pfk_token *t)
{
	const char *s = t->text;
	const char *d;
	int base = 10;

	t->type = TOK_WORD;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2]) {
		for (d = s + 2; *d; d++)
			if (!isxdigit((unsigned char)*d))
				return;
		t->type = TOK_HEX;
		base = 16;
	} else {
		for (d = s; *d; d++)
			if (!isdigit((unsigned char)*d))
				return;
		t->type = TOK_NUMBER;
	}
	errno = 0;
	t->num = strtoull(s, NULL, base);
	t->num_ok = errno == 0;
}

static void lex_scan(struct pfk_lexer *lx, struct pfk_token *t)
{
	int c;

	t->len = 0;
	tok_put(t, '\0');
	t->len = 0;
	t->num = 0;
	t->num_ok = false;
	t->err = NULL;
	for (;;) {
		c = lex_getc(lx);
		if (c == '#') {
			while (c != '\n' && c != EOF)
				c = lex_getc(lx);
		}
		if (c == EOF || !isspace(c))
			break;
	}
	t->line = lx->line;
	t->col = lx->col;
	if (c == EOF) {
		t->type = TOK_EOF;
		t->col = lx->col + 1;
		return;
	}
	if (c == ';') {
		t->type = TOK_SEMI;
		tok_put(t, ';');
		return;
	}
	if (c == '"') {
		tok_put(t, '"');
		for (;;) {
			c = lex_getc(lx);
			if (c == '"')
				break;
			if (c == EOF || c == '\n') {
				t->type = TOK_ERROR;
				t->err = "unterminated string";
				return;
			}
			if (c == '\\') {
				c = lex_getc(lx);
				if (c == 'n') {
					c = '\n';
				} else if (c == 't') {
					c = '\t';
				} else if (c != '"' && c != '\\') {
					t->type = TOK_ERROR;
					t->err = "unknown escape in string";
					return;
				}
			}
			tok_put(t, c);
		}
		/* drop the opening quote */
		memmove(t->text, t->text + 1, t->len);
		t->len--;
		t->type = TOK_STRING;
		return;
	}
	while (is_word_char(c)) {
		tok_put(t, c);
		c = lex_getc(lx);
	}
	/* blanks end a word and are dropped anyway */
	if (c != EOF && !isspace(c))
		lex_ungetc(lx, c);
	classify(t);
}

const struct pfk_token *pfk_lex_peek(struct pfk_lexer *lx)
{
	int next = !lx->cur;

	if (!lx->have_ahead) {
		lex_scan(lx, &lx->tok[next]);
		lx->have_ahead = true;
	}
	return &lx->tok[next];
}

const struct pfk_token *pfk_lex_take(struct pfk_lexer *lx)
{
	pfk_lex_peek(lx);
	lx->have_ahead = false;
	lx->cur = !lx->cur;
	return &lx->tok[lx->cur];
}

const char *pfk_tok_show(const struct pfk_token *t)
{
	switch (t->type) {
	case TOK_EOF:
		return "end of input";
	case TOK_SEMI:
		return ";";
	default:
		return t->text ? t->text : "";
	}
}

bool pfk_tok_is(const struct pfk_token *t, const char *word)
{
	return t->type == TOK_WORD && !strcmp(t->text, word);
}
