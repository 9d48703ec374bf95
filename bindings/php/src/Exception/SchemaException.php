<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** A schema that cannot be compiled (OREG_ERR_SCHEMA); $details["location"] is a JSON Pointer into it where known. */
class SchemaException extends OnderwijsregioException
{
}
