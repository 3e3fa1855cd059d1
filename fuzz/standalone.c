/*
 * standalone.c: run a fuzz target over files, without libFuzzer.
 *
 *   fuzz_standalone PATH...          (fuzz_scenario.c)
 *   fuzz_explore_standalone PATH...  (fuzz_explore.c)
 *
 * A PATH that is a directory stands for every *.scn file below it, in
 * name order, so that an input added to fuzz/regress/ runs in the suite
 * without setting the build up again.  Each file's name is printed before
 * it runs: a crash is the last name printed.
 */
#include "fuzz.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.scn files below dir, into files. */
static gboolean
walk(const char *dir, GPtrArray *files)
{
	GPtrArray *here = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	GDir *d = g_dir_open(dir, 0, &err);
	const char *name;

	if (d == NULL) {
		fprintf(stderr, "standalone: %s\n", err->message);
		g_error_free(err);
		g_ptr_array_free(here, TRUE);
		return FALSE;
	}
	while ((name = g_dir_read_name(d)) != NULL)
		g_ptr_array_add(here, g_build_filename(dir, name, NULL));
	g_dir_close(d);
	g_ptr_array_sort(here, by_name);
	for (guint i = 0; i < here->len; i++) {
		const char *path = here->pdata[i];

		/* a symlinked directory is not followed: no loop */
		if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
			if (!walk(path, files)) {
				g_ptr_array_free(here, TRUE);
				return FALSE;
			}
		} else if (g_str_has_suffix(path, ".scn") && g_file_test(path, G_FILE_TEST_IS_REGULAR))
			g_ptr_array_add(files, g_strdup(path));
	}
	g_ptr_array_free(here, TRUE);
	return TRUE;
}

int
main(int argc, char **argv)
{
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
			if (!walk(argv[i], files)) {
				g_ptr_array_free(files, TRUE);
				return 1;
			}
		} else
			g_ptr_array_add(files, g_strdup(argv[i]));
	}
	for (guint i = 0; i < files->len; i++) {
		const char *path = files->pdata[i];
		gchar *data;
		gsize len;

		if (!g_file_get_contents(path, &data, &len, NULL)) {
			fprintf(stderr, "standalone: cannot read %s\n", path);
			rc = 1;
			break;
		}
		printf("%s\n", path);
		fflush(stdout);
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		g_free(data);
	}
	if (rc == 0 && files->len == 0) {
		fprintf(stderr, "standalone: no inputs\n");
		rc = 1;
	}
	if (rc == 0)
		printf("%u inputs ran without a crash (%lu parsed and ran)\n", files->len, fuzz_parsed);
	g_ptr_array_free(files, TRUE);
	return rc;
}
