/* Measures Debian's inih (libinih 55) behaviour that matters to Kiln.
   Build: cc inih_limits.c -linih -o inih_limits */
#include <ini.h>
#include <stdio.h>
#include <string.h>

static int calls;

static int print_handler(void* user, const char* section, const char* name, const char* value) {
  (void)user;
  ++calls;
  /* The handler gets section, name and value: no line number (INI_HANDLER_LINENO=0). */
  size_t n = strlen(value);
  if (n > 40)
    printf("  handler: [%s] %s = \"xxx...%s\" (%zu chars, last char '%c')\n", section, name,
           value + n - 3, n, value[n - 1]);
  else
    printf("  handler: [%s] %s = \"%s\"\n", section, name, value);
  return 1;
}

static int reject_handler(void* user, const char* section, const char* name, const char* value) {
  (void)user; (void)section; (void)value;
  if (strncmp(name, "bad", 3) != 0) return 1;
  printf("  handler rejects %s (it is not told on which line it is)\n", name);
  return 0;
}

static void run(const char* title, const char* text, ini_handler h) {
  calls = 0;
  printf("%s\n", title);
  int rc = ini_parse_string(text, h, NULL);
  printf("  ini_parse_string returned %d\n", rc);
}

int main(void) {
  static char buf[4096];
  int lengths[] = {198, 199, 200, 250, 450};
  for (int i = 0; i < 5; ++i) {
    int n = lengths[i];
    /* "k = " + value: a line of n characters in total (newline excluded). */
    int v = n - 4;
    strcpy(buf, "[s]\nk = ");
    memset(buf + 8, 'x', (size_t)v - 1);
    buf[8 + v - 1] = 'Z';
    strcpy(buf + 8 + v, "\nafter = 1\n");
    char title[80];
    snprintf(title, sizeof title, "(a) line 2 has %d characters, its value ends in 'Z':", n);
    run(title, buf, print_handler);
  }
  /* A long line whose tail looks like an option. */
  strcpy(buf, "[s]\nk = ");
  memset(buf + 8, 'x', 200);
  strcpy(buf + 208, " tail = 7\n");
  run("(a) line 2 is `k = ` + 200 x + ` tail = 7` (217 characters):", buf, print_handler);
  run("(b) inline comments: `x = a ; b`, `y = a # b`, a line of component/json-c/buildout.cfg:",
      "[s]\nx = a ; b\ny = a # b\nconfigure-command = mkdir build ; cd build ; ../cmake-configure\n",
      print_handler);
  run("(c) indented block with a blank line inside:",
      "[s]\nv =\n  line1\n\n  line3\nw = after\n", print_handler);
  run("(c) a shell `case` in an indented block (component/gcc/buildout.cfg style):",
      "[s]\ncmd =\n  case $x in\n    a) echo a\n    ;;\n  esac\n", print_handler);
  run("(d) the handler rejects options on lines 3 and 5:",
      "[s]\nok = 1\nbad1 = 2\nok2 = 3\nbad2 = 4\n", reject_handler);
  return 0;
}
