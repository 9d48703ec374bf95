<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** A callback failed verification: forged or altered (OREG_ERR_SIGNATURE). Subclasses tell header, timestamp and replay failures apart. Answer 401 and process nothing. */
class SignatureException extends OnderwijsregioException
{
}
