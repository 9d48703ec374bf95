<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** Sandbox mode is on but the service answered from production data (OREG_ERR_SANDBOX). */
class SandboxException extends OnderwijsregioException
{
}
