/* package.c: one installed package as the image scanner finds it and the vulnerability matcher reads it. */
#include "package.h"

#include <stdlib.h>
#include <string.h>

void package_free(struct package *p)
{
	if (!p)
		return;
	free(p->ecosystem);
	free(p->name);
	free(p->version);
	free(p->source_name);
	free(p->source_version);
	free(p->location);
	free(p->purl);
	memset(p, 0, sizeof(*p));
}
