<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** Input that is not JSON (OREG_ERR_JSON; $details has offset, line and column), or an answer of the library that could not be decoded. */
class InvalidJsonException extends OnderwijsregioException
{
}
