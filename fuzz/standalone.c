/*
 * standalone.c: run the fuzz target over files, without libFuzzer.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		gchar *data;
		gsize len;

		if (!g_file_get_contents(argv[i], &data, &len, NULL)) {
			fprintf(stderr, "standalone: cannot read %s\n", argv[i]);
			return 1;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		g_free(data);
	}
	printf("%d inputs ran without a crash\n", argc - 1);
	return 0;
}
