<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** The service answered 2xx with something the library cannot use (OREG_ERR_RESPONSE). */
class ResponseException extends OnderwijsregioException
{
}
